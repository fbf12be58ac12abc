//! A NIC: the guest's interface is a tap device in the VM's network
//! namespace; two threads carry its frames to and from the transport.

use crate::param::{format_mac, slirp_options, NicSpec, TransportSpec};
use crate::transport::{self, Log, Tap, Transport};
use std::io;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A running network device. Dropping it stops its threads.
pub struct Nic {
    pub spec: NicSpec,
    pub mac: [u8; 6],
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    /// The user-mode network behind a slirp NIC (it owns the tap).
    slirp: Option<crate::slirp::Slirp>,
}

/// How long a relay thread sleeps at most before it looks at `stop`.
const TICK_MS: i32 = 200;

impl Nic {
    /// Starts NIC `spec` on `tap` (a tap descriptor of the guest's
    /// interface, with address `mac`).
    pub fn start(spec: &NicSpec, mac: [u8; 6], tap: OwnedFd, log: Log) -> io::Result<Nic> {
        let name = spec.name();
        log(&format!(
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
                stop: Arc::new(AtomicBool::new(false)),
                threads: Vec::new(),
                slirp: Some(crate::slirp::Slirp::spawn(tap, cfg)?),
            });
        }
        let guest: Arc<dyn Transport> = Arc::new(Tap::from_fd(tap)?);
        let wire: Arc<dyn Transport> =
            Arc::from(transport::open(&name, &spec.transport, mac, log)?);
        let stop = Arc::new(AtomicBool::new(false));
        let relay = |from: Arc<dyn Transport>, to: Arc<dyn Transport>, dir: &str| {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{dir}"))
                .spawn(move || {
                    let mut buf = vec![0u8; 65536];
                    while !stop.load(Ordering::Relaxed) {
                        match from.recv(&mut buf) {
                            Some(n) => to.send(&buf[..n]),
                            None => from.wait(TICK_MS),
                        }
                    }
                })
        };
        let threads = vec![
            relay(guest.clone(), wire.clone(), "tx")?,
            relay(wire, guest, "rx")?,
        ];
        Ok(Nic {
            spec: spec.clone(),
            mac,
            stop,
            threads,
            slirp: None,
        })
    }
}

impl Drop for Nic {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        drop(self.slirp.take());
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
