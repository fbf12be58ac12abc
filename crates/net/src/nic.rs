//! A NIC: the guest's interface is a tap device in the VM's network
//! namespace; a thread carries its frames to and from the transport (or,
//! for slirp, the user-mode network answers them).

use crate::param::{format_mac, slirp_options, NicSpec, TransportSpec};
use crate::transport::{self, Log, Tap, Transport};
use std::io;
use std::os::fd::AsFd;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A running network device. Dropping it stops its thread.
pub struct Nic {
    pub spec: NicSpec,
    pub mac: [u8; 6],
    engine: Engine,
}

/// What moves the NIC's frames.
enum Engine {
    /// The relay thread between the tap and a transport, and its stop flag.
    Relay(Arc<AtomicBool>, Option<JoinHandle<()>>),
    /// The user-mode network behind a slirp NIC (it owns the tap).
    Slirp(Option<crate::slirp::Slirp>),
}

/// How long a relay thread sleeps at most before it looks at `stop`.
const TICK_MS: i32 = 200;
/// Frames taken from one side before the other gets its turn.
const BATCH: usize = 64;

impl Nic {
    /// Starts NIC `spec` on `tap` (a tap descriptor of the guest's
    /// interface, with address `mac`). `log` gets state changes, and with
    /// `verbose` the device's description too.
    pub fn start(
        spec: &NicSpec,
        mac: [u8; 6],
        tap: OwnedFd,
        log: Log,
        verbose: bool,
    ) -> io::Result<Nic> {
        let name = spec.name();
        let describe = |m: String| {
            if verbose {
                log(&m)
            }
        };
        describe(format!(
            "Netdevice {} ({}) : {}",
            spec.unit,
            format_mac(&mac),
            spec.transport
        ));
        if let TransportSpec::Slirp { options } = &spec.transport {
            if let Some(w) = options.iter().find(|o| !o.contains('=')) {
                log(&format!(
                    "{name}: ignoring the slirp command '{w}': ruml's user networking is built in"
                ));
            }
            let cfg = crate::slirp::SlirpConfig::parse(&slirp_options(options).join(","))
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
            return Ok(Nic {
                spec: spec.clone(),
                mac,
                engine: Engine::Slirp(Some(crate::slirp::Slirp::spawn(tap, cfg)?)),
            });
        }
        let guest = Tap::from_fd(tap)?;
        let wire = transport::open(&name, &spec.transport, mac, log)?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        // One thread carries both directions: after it writes a frame to
        // the guest, the guest kernel's answer (an ICMP echo reply, a TCP
        // ACK) is often already queued on the tap, and it takes it without
        // another thread having to wake up.
        let thread = std::thread::Builder::new()
            .name(name.clone())
            .spawn(move || {
                let mut buf = vec![0u8; 65536];
                while !flag.load(Ordering::Relaxed) {
                    let mut busy = false;
                    for _ in 0..BATCH {
                        let Some(n) = guest.recv(&mut buf) else { break };
                        wire.send(&buf[..n]);
                        busy = true;
                    }
                    for _ in 0..BATCH {
                        let Some(n) = wire.recv(&mut buf) else { break };
                        guest.send(&buf[..n]);
                        busy = true;
                    }
                    if !busy {
                        wire.wait(guest.as_fd(), TICK_MS);
                    }
                }
            })?;
        Ok(Nic {
            spec: spec.clone(),
            mac,
            engine: Engine::Relay(stop, Some(thread)),
        })
    }
}

impl Drop for Nic {
    fn drop(&mut self) {
        match &mut self.engine {
            Engine::Relay(stop, thread) => {
                stop.store(true, Ordering::Relaxed);
                if let Some(t) = thread.take() {
                    let _ = t.join();
                }
            }
            Engine::Slirp(slirp) => {
                if let Some(s) = slirp.take() {
                    let _ = s.stop();
                }
            }
        }
    }
}
