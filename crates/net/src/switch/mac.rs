//! The switch's learning table: which port each Ethernet source address
//! was last seen on. Bounded in size, entries age out.

use std::collections::HashMap;

/// At most this many addresses are remembered; a new one past the bound
/// replaces the entry seen longest ago.
pub const MAX_ENTRIES: usize = 1024;

/// An address not seen for this many seconds is forgotten.
pub const AGE_SECS: u64 = 100;

/// A MAC address.
pub type Mac = [u8; 6];

/// What [`MacTable::learn`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learned {
    /// A new address, now on this port.
    New,
    /// A known address that moved to this port.
    Moved,
    /// A known address on the same port (its age is renewed).
    Refreshed,
    /// A multicast source address: not learned.
    Ignored,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    port: usize,
    seen: u64,
}

/// The learning table. Times are seconds on any monotonic clock.
#[derive(Debug)]
pub struct MacTable {
    map: HashMap<Mac, Entry>,
    max: usize,
    age: u64,
}

impl Default for MacTable {
    fn default() -> Self {
        Self::new(MAX_ENTRIES, AGE_SECS)
    }
}

impl MacTable {
    /// A table of at most `max` entries that forgets an address after
    /// `age` seconds without traffic from it.
    pub fn new(max: usize, age: u64) -> Self {
        let max = max.max(1);
        MacTable {
            // Sized once, so learning never allocates.
            map: HashMap::with_capacity(max),
            max,
            age,
        }
    }

    /// Records that `mac` sent a frame from `port` at time `now`.
    pub fn learn(&mut self, mac: Mac, port: usize, now: u64) -> Learned {
        if mac[0] & 1 != 0 {
            return Learned::Ignored;
        }
        if let Some(e) = self.map.get_mut(&mac) {
            let was = e.port;
            let fresh = now.saturating_sub(e.seen) < self.age;
            *e = Entry { port, seen: now };
            return match (was == port, fresh) {
                (true, true) => Learned::Refreshed,
                (false, _) => Learned::Moved,
                (true, false) => Learned::New,
            };
        }
        if self.map.len() >= self.max {
            self.expire(now);
        }
        if self.map.len() >= self.max {
            // Still full of live entries: forget the stalest one.
            if let Some(old) = self.map.iter().min_by_key(|(_, e)| e.seen).map(|(m, _)| *m) {
                self.map.remove(&old);
            }
        }
        self.map.insert(mac, Entry { port, seen: now });
        Learned::New
    }

    /// The port `mac` was last seen on, unless it aged out.
    pub fn lookup(&self, mac: &Mac, now: u64) -> Option<usize> {
        self.map
            .get(mac)
            .filter(|e| now.saturating_sub(e.seen) < self.age)
            .map(|e| e.port)
    }

    /// Forgets every address learned on `port` (it went away).
    pub fn remove_port(&mut self, port: usize) {
        self.map.retain(|_, e| e.port != port);
    }

    /// Forgets the addresses not seen for the ageing time.
    pub fn expire(&mut self, now: u64) {
        let age = self.age;
        self.map.retain(|_, e| now.saturating_sub(e.seen) < age);
    }

    /// How many addresses are remembered.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no address is remembered.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Mac = [0xfe, 0xfd, 0, 0, 0, 1];
    const B: Mac = [0xfe, 0xfd, 0, 0, 0, 2];

    #[test]
    fn learns_and_looks_up() {
        let mut t = MacTable::default();
        assert_eq!(t.lookup(&A, 0), None);
        assert_eq!(t.learn(A, 3, 0), Learned::New);
        assert_eq!(t.learn(B, 4, 0), Learned::New);
        assert_eq!(t.lookup(&A, 1), Some(3));
        assert_eq!(t.lookup(&B, 1), Some(4));
        assert_eq!(t.learn(A, 3, 5), Learned::Refreshed);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn multicast_sources_are_not_learned() {
        let mut t = MacTable::default();
        assert_eq!(t.learn([0xff; 6], 1, 0), Learned::Ignored);
        assert_eq!(t.learn([0x01, 0, 0x5e, 0, 0, 1], 1, 0), Learned::Ignored);
        assert!(t.is_empty());
    }

    #[test]
    fn an_address_moves_to_its_new_port() {
        let mut t = MacTable::default();
        t.learn(A, 1, 0);
        assert_eq!(t.learn(A, 2, 1), Learned::Moved);
        assert_eq!(t.lookup(&A, 1), Some(2));
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn entries_age_out() {
        let mut t = MacTable::new(16, 100);
        t.learn(A, 1, 0);
        t.learn(B, 2, 50);
        assert_eq!(t.lookup(&A, 99), Some(1));
        assert_eq!(t.lookup(&A, 100), None, "stale entries are not used");
        t.expire(120);
        assert_eq!(t.len(), 1, "expire drops only the stale entry");
        assert_eq!(t.lookup(&B, 120), Some(2));
        // Traffic renews an entry.
        t.learn(B, 2, 140);
        assert_eq!(t.lookup(&B, 230), Some(2));
        // A stale address that shows up again counts as new.
        assert_eq!(t.learn(B, 2, 400), Learned::New);
    }

    #[test]
    fn removing_a_port_forgets_its_addresses() {
        let mut t = MacTable::default();
        t.learn(A, 1, 0);
        t.learn(B, 2, 0);
        t.learn([0xfe, 0xfd, 0, 0, 0, 3], 1, 0);
        t.remove_port(1);
        assert_eq!(t.len(), 1);
        assert_eq!(t.lookup(&A, 0), None);
        assert_eq!(t.lookup(&B, 0), Some(2));
    }

    #[test]
    fn the_table_is_bounded() {
        let mut t = MacTable::new(8, 100);
        for i in 0..100u8 {
            t.learn([0xfe, 0xfd, 0, 0, 1, i], 1, u64::from(i));
            assert!(t.len() <= 8);
        }
        assert_eq!(t.len(), 8);
        // The newest ones stayed, the oldest were replaced.
        assert_eq!(t.lookup(&[0xfe, 0xfd, 0, 0, 1, 99], 99), Some(1));
        assert_eq!(t.lookup(&[0xfe, 0xfd, 0, 0, 1, 0], 99), None);
        // Expired entries are dropped before live ones.
        let mut t = MacTable::new(2, 10);
        t.learn(A, 1, 0);
        t.learn(B, 2, 15);
        t.learn([0xfe, 0xfd, 0, 0, 0, 3], 3, 16);
        assert_eq!(t.lookup(&B, 16), Some(2));
        assert_eq!(t.len(), 2);
    }
}
