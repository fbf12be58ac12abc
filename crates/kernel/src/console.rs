//! Console lines: the guest's /dev/console (con0) and the channels behind it.
//!
//! A line with host channels is a host pty pair: the guest holds the slave
//! (so the host's tty line discipline gives it termios, canonical mode, echo
//! and job-control signals to its foreground process group) and a relay
//! thread copies bytes between the master and the host channels. The host
//! terminal, if the input channel is one, is raw while the VM runs and is
//! restored when the [`Console`] is dropped.

use crate::config::{Chan, Line};
use ruml_platform::host;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::thread::JoinHandle;

/// A running console line.
pub struct Console {
    /// What the guest holds as the console (pty slave, or /dev/null).
    guest: OwnedFd,
    is_tty: bool,
    master: Option<OwnedFd>,
    output: Option<RawFd>,
    saved: Option<(RawFd, host::Termios)>,
    stop: Option<OwnedFd>,
    relay: Option<JoinHandle<()>>,
}

/// Checks that ruml has descriptor `fd` open.
fn check_fd(fd: RawFd) -> io::Result<()> {
    host::fstatat(borrow(fd), b"", 0).map(drop)
}

impl Console {
    /// Sets up a console line.
    pub fn open(line: &Line) -> io::Result<Console> {
        let (input, output) = match line {
            Line::Chans { input, output } => (input.clone(), output.clone()),
            Line::None => (Chan::Null, Chan::Null),
        };
        if input == Chan::Null && output == Chan::Null {
            return Ok(Console {
                guest: host::open_path(b"/dev/null", libc::O_RDWR)?,
                is_tty: false,
                master: None,
                output: None,
                saved: None,
                stop: None,
                relay: None,
            });
        }
        let pty = host::open_pty()?;
        let mut saved = None;
        let in_fd = match input {
            Chan::Fd(n) => Some(n),
            Chan::Null => None,
        };
        let out_fd = match output {
            Chan::Fd(n) => Some(n),
            Chan::Null => None,
        };
        if let Some(i) = in_fd {
            // Validate the descriptor exists.
            check_fd(i)
                .map_err(|e| io::Error::new(e.kind(), format!("console input fd:{i}: {e}")))?;
            let b = borrow(i);
            if let Some(t) = host::get_termios(b) {
                if let Some(w) = host::get_winsize(b) {
                    let _ = host::set_winsize(pty.slave.as_fd(), &w);
                }
                host::set_termios(b, &host::make_raw(&t))?;
                saved = Some((i, t));
            }
        }
        if let Some(o) = out_fd {
            check_fd(o)
                .map_err(|e| io::Error::new(e.kind(), format!("console output fd:{o}: {e}")))?;
        }
        let (stop_r, stop_w) = host::pipe()?;
        let master = pty.master;
        let m = master.as_raw_fd();
        let relay = std::thread::Builder::new()
            .name("console".into())
            .spawn(move || relay(m, in_fd, out_fd, stop_r))?;
        Ok(Console {
            guest: pty.slave,
            is_tty: true,
            master: Some(master),
            output: out_fd,
            saved,
            stop: Some(stop_w),
            relay: Some(relay),
        })
    }

    /// The descriptor the guest gets for this line.
    pub fn guest_fd(&self) -> BorrowedFd<'_> {
        self.guest.as_fd()
    }

    /// For a line whose input is a host terminal: that terminal and a handle
    /// on the guest's end, to copy the window size when the host's changes
    /// (see [`sync_winsize`]).
    pub fn winsize_link(&self) -> Option<(RawFd, OwnedFd)> {
        let (input, _) = self.saved.as_ref()?;
        let guest = host::reopen(self.guest.as_fd(), libc::O_RDWR | libc::O_NOCTTY).ok()?;
        Some((*input, guest))
    }

    /// The pty master of a line that is a pty.
    pub fn master(&self) -> Option<BorrowedFd<'_>> {
        self.master.as_ref().map(|m| m.as_fd())
    }

    /// Whether the guest side is a terminal.
    pub fn is_tty(&self) -> bool {
        self.is_tty
    }

    /// Stops the relay after copying out everything the guest wrote, and
    /// restores the host terminal.
    pub fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = host::write_all(s.as_fd(), b"x");
        }
        if let Some(r) = self.relay.take() {
            let _ = r.join();
        }
        if let (Some(m), Some(o)) = (&self.master, self.output) {
            // Drain what is left without blocking.
            let mut buf = [0u8; 4096];
            while let Ok(v) = host::poll_readable(&[m.as_fd()], 0) {
                if !v[0] {
                    break;
                }
                match host::read(m.as_fd(), &mut buf) {
                    Ok(n) if n > 0 => {
                        let _ = host::write_all(borrow(o), &buf[..n]);
                    }
                    _ => break,
                }
            }
        }
        if let Some((fd, t)) = self.saved.take() {
            let _ = host::set_termios(borrow(fd), &t);
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn borrow(fd: RawFd) -> BorrowedFd<'static> {
    // The console's host channels are ruml's own descriptors (normally 0 and
    // 1), open for the life of the process.
    host::borrow_process_fd(fd)
}

fn relay(master: RawFd, input: Option<RawFd>, output: Option<RawFd>, stop: OwnedFd) {
    let m = borrow(master);
    let mut input = input;
    let mut buf = [0u8; 8192];
    loop {
        let mut fds = vec![stop.as_fd(), m];
        if let Some(i) = input {
            fds.push(borrow(i));
        }
        let ready = match host::poll_readable(&fds, -1) {
            Ok(r) => r,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        };
        if ready[0] {
            return;
        }
        if ready[1] {
            match host::read(m, &mut buf) {
                Ok(n) if n > 0 => {
                    if let Some(o) = output {
                        let _ = host::write_all(borrow(o), &buf[..n]);
                    }
                }
                _ => std::thread::sleep(std::time::Duration::from_millis(10)),
            }
        }
        if ready.len() > 2 && ready[2] {
            match host::read(borrow(input.unwrap_or(0)), &mut buf) {
                Ok(n) if n > 0 => {
                    let _ = host::write_all(m, &buf[..n]);
                }
                // End of host input: the guest just gets no more input.
                _ => input = None,
            }
        }
    }
}

/// Copies the host terminal's window size to the guest's console; the host
/// kernel then sends SIGWINCH to the guest's foreground process group.
pub fn sync_winsize(input: RawFd, guest: BorrowedFd<'_>) {
    if let Some(w) = host::get_winsize(borrow(input)) {
        let _ = host::set_winsize(guest, &w);
    }
}
