//! The `ruml` command: boots a VM from UML's command line, and (later) the
//! companion tools as subcommands.

use ruml_kernel::config::{self, Command};
use ruml_kernel::console::{self, Console};
use ruml_kernel::fs::{devices, hostfs};
use ruml_kernel::vfs::{Caller, Follow, Mount, Vfs};
use ruml_kernel::{syscalls, Kernel, VmExit};
use ruml_platform::ptrace::{BootSpec, PtracePlatform};
use ruml_platform::{host, Platform};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::process::exit;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

mod tools;

const HOST_SIGNALS: [i32; 4] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGWINCH];

/// What the host-signal thread acts on: the running VM.
struct Current {
    init_host: i32,
    terminate: Arc<AtomicBool>,
    /// The host terminal of the console and the guest's end of it.
    winsize: Option<(RawFd, OwnedFd)>,
}

static CURRENT: Mutex<Option<Current>> = Mutex::new(None);

/// Takes ruml's host signals for the life of the process: SIGTERM, SIGINT
/// and SIGHUP shut the running VM down; SIGWINCH resizes its console.
fn signal_thread() {
    loop {
        let sig = host::wait_signal(&HOST_SIGNALS);
        let cur = CURRENT.lock().expect("current VM");
        let Some(cur) = cur.as_ref() else {
            continue;
        };
        if sig == libc::SIGWINCH {
            if let Some((input, guest)) = &cur.winsize {
                console::sync_winsize(*input, guest.as_fd());
            }
            continue;
        }
        cur.terminate.store(true, Ordering::SeqCst);
        ruml_kernel::kernel::host_log(&format!(
            "\r\nruml: got signal {sig}, shutting the guest down\r\n"
        ));
        // Killing the guest's init takes its whole pid namespace with it.
        let _ = host::kill_pid(cur.init_host, libc::SIGKILL);
    }
}

fn fail(msg: impl std::fmt::Display, code: i32) -> ! {
    ruml_kernel::kernel::host_log(&format!("ruml: {msg}\n"));
    exit(code)
}

fn help() -> String {
    let lines = [
        "usage: ruml [options] [init args] [NAME=value for init's environment]",
        "       ruml mkcow|moo|image|switch ... (also as uml_mkcow, uml_moo, uml_switch)",
        "",
        "  ubd<N>[rsdct]=[COW,]IMAGE[,SERIAL]",
        "        disk N (0-15 or a-p), with an optional copy-on-write file",
        "  root=/dev/ubdX | 98:N",
        "        boot from an ext2/3/4 disk (the default when ubda is given)",
        "  root=/dev/root rootfstype=hostfs rootflags=DIR",
        "        boot from a host directory (hostfs)",
        "  rw | ro",
        "        mount the root read-write or read-only (default ro)",
        "  init=PATH",
        "        program to run as pid 1 (default: /sbin/init, /etc/init, /bin/init, /bin/sh)",
        "  mem=SIZE",
        "        guest memory, with K, M or G suffix (default 64M)",
        "  nr_cpus=N",
        "        CPUs of the VM (default 1, as UML): ruml and the guest run on N host CPUs",
        "  umid=NAME",
        "        machine id",
        "  hostname=NAME",
        "        the guest's host name",
        "  hostfs=DIR",
        "        allow hostfs mounts, confined below DIR",
        "  eth<N>=daemon[,MAC,unix,CTL] | vde,SWITCHDIR[,MAC,PORT,GROUP,MODE,DESCR]",
        "        | mcast[,MAC,GROUP,PORT,TTL] | ucast,MAC,REMOTE,LPORT,RPORT | tuntap,HOSTTAP[,MAC]",
        "        | slirp[,MAC][,hostfwd=tcp::HOSTPORT-:GUESTPORT][,dns=ADDR]",
        "        network device ethN (daemon: a uml_switch or `ruml switch` at CTL,",
        "        default /var/run/uml-utilities/uml_switch.ctl, else /tmp/uml.ctl; slirp: user networking,",
        "        guest 10.0.2.15/24 by DHCP, gateway 10.0.2.2 = the host's 127.0.0.1, DNS 10.0.2.3)",
        "  con=CHAN, con<N>=CHAN",
        "        console channels: fd:N, null, none, or IN,OUT (default con0=fd:0,fd:1)",
        "  quiet",
        "        fewer host-side messages",
        "  --syscalls",
        "        print the syscall table and its support status",
        "  --help, --version",
    ];
    format!(
        "ruml {} - User-Mode Linux rebuilt in Rust\n\n{}\n",
        env!("CARGO_PKG_VERSION"),
        lines.join("\n")
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let argv0 = args
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_string())
        .unwrap_or_default();
    let rest = &args[1.min(args.len())..];
    if let Some(code) = tools::run(&argv0, rest) {
        exit(code);
    }
    if let Some(code) = rest.first().and_then(|t| tools::run(t, &rest[1..])) {
        exit(code);
    }
    if ["uml_mconsole"].contains(&argv0.as_str()) {
        fail(format!("{argv0}: not implemented yet"), 2);
    }
    if rest.first().map(String::as_str) == Some("--syscalls") {
        print!("{}", syscalls::describe());
        return;
    }
    let cfg = match config::parse(rest) {
        Ok(Command::Help) => {
            print!("{}", help());
            return;
        }
        Ok(Command::Version) => {
            println!("{}", env!("CARGO_PKG_VERSION"));
            return;
        }
        Ok(Command::Boot(c)) => *c,
        Err(e) => fail(e, 2),
    };
    let mut cfg = cfg;
    cfg.cpus = pin_cpus(cfg.nr_cpus);
    host::raise_nofile();
    // Host signals are taken by a dedicated thread; block them everywhere
    // else before any thread starts.
    host::block_signals(&HOST_SIGNALS);
    // Tracee state changes are read through a signalfd; no thread may take
    // SIGCHLD, so it is blocked before any thread starts.
    host::block_signals(&[libc::SIGCHLD]);
    std::thread::spawn(signal_thread);
    loop {
        match boot(cfg.clone()) {
            VmExit::Halt => exit(0),
            VmExit::Reboot => continue,
            VmExit::Panic(msg) => {
                ruml_kernel::kernel::host_log(&format!("{msg}\n"));
                exit(1)
            }
            VmExit::Terminated => exit(1),
        }
    }
}

/// Runs the VM (ruml and every guest process) on `n` host CPUs, starting
/// with the one ruml was placed on. A trapped call is a round trip between
/// a guest thread and ruml; on one CPU it is a plain context switch, across
/// CPUs it needs a wake-up of the other, often idle, CPU, which costs many
/// times more (most of all on virtual machines). Guest processes inherit
/// the mask before any thread starts.
fn pin_cpus(n: usize) -> Vec<usize> {
    let allowed = host::allowed_cpus().unwrap_or_default();
    if allowed.is_empty() {
        return Vec::new();
    }
    let here = host::current_cpu().unwrap_or(allowed[0]);
    let start = allowed.iter().position(|&c| c == here).unwrap_or(0);
    let mut cpus: Vec<usize> = (0..n.min(allowed.len()))
        .map(|i| allowed[(start + i) % allowed.len()])
        .collect();
    cpus.sort_unstable();
    if n > allowed.len() {
        ruml_kernel::kernel::host_log(&format!(
            "ruml: nr_cpus={n}: the host allows {}; the VM gets those\n",
            allowed.len()
        ));
    }
    if host::set_cpus(&cpus).is_err() {
        return allowed;
    }
    cpus
}

fn boot(cfg: config::BootConfig) -> VmExit {
    let root_dir = cfg.root_dir();
    if cfg.root_disk.is_none() && !host::is_dir(&root_dir) {
        fail(
            format!("rootflags={}: not a directory", root_dir.display()),
            2,
        );
    }
    let mut console =
        Console::open(&cfg.consoles[0]).unwrap_or_else(|e| fail(format!("con0: {e}"), 2));
    let guest_console =
        host::reopen(console.guest_fd(), libc::O_RDWR).unwrap_or_else(|e| fail(e, 1));
    devices::set_console(
        host::reopen(console.guest_fd(), libc::O_RDWR).unwrap_or_else(|e| fail(e, 1)),
        console.master().and_then(|m| m.try_clone_to_owned().ok()),
    );

    for spec in &cfg.ubd {
        let disk = ruml_ubd::disk::Disk::open(spec, &mut |m| {
            ruml_kernel::kernel::host_log(&format!("{m}\n"))
        })
        .unwrap_or_else(|e| fail(e, 2));
        ruml_kernel::block::register(spec.unit, &spec.name(), spec.serial.clone(), Box::new(disk));
    }
    let (root, chroot_dir) = match cfg.root_disk {
        None => (
            Mount {
                id: 0,
                path: b"/".to_vec(),
                root: hostfs::mount(&root_dir, true)
                    .unwrap_or_else(|e| fail(format!("rootflags: {e}"), 2)),
                fstype: "hostfs".into(),
                source: "/dev/root".into(),
                read_only: cfg.read_only,
                native: true,
            },
            root_dir.canonicalize().unwrap_or(root_dir.clone()),
        ),
        // ext2/3/4 on a disk: the guest processes are chrooted into an
        // empty private directory; every path goes through the VFS.
        Some(unit) => {
            let disk = ruml_kernel::block::get(ruml_kernel::block::ubd_rdev(unit))
                .unwrap_or_else(|_| fail(format!("root={}: no such disk", cfg.root), 2));
            let root = ruml_kernel::fs::ext4::mount(disk, cfg.read_only).unwrap_or_else(|e| {
                fail(
                    format!(
                        "VFS: Cannot open root device \"{}\": {}",
                        cfg.root, e.message
                    ),
                    2,
                )
            });
            let dir = ruml_kernel::fs::private::get()
                .and_then(|p| p.exec_root())
                .unwrap_or_else(|e| {
                    fail(format!("cannot make the VM's private directory: {e:?}"), 1)
                });
            use std::os::unix::ffi::OsStrExt;
            (
                Mount {
                    id: 0,
                    path: b"/".to_vec(),
                    root,
                    fstype: cfg.rootfstype.clone().unwrap_or_else(|| "ext4".into()),
                    source: cfg.root.clone(),
                    read_only: cfg.read_only,
                    native: false,
                },
                std::path::PathBuf::from(std::ffi::OsStr::from_bytes(&dir)),
            )
        }
    };
    let mut vfs = Vfs::new(root);
    let top = vfs.root();
    if let Ok(dev) = vfs.resolve(&Caller::BOOT, &top, &top, b"/dev", Follow::Yes) {
        if let Ok(d) = ruml_kernel::fs::devices_dir() {
            let _ = vfs.add_mount(&dev, d, "devtmpfs", "devtmpfs", false);
        }
    }
    devices::register_console_node(&vfs);
    let init = match &cfg.init {
        Some(i) => {
            if vfs
                .resolve(&Caller::BOOT, &top, &top, i.as_bytes(), Follow::Yes)
                .is_err()
            {
                fail(format!("init={i}: not found in the root filesystem"), 2);
            }
            i.clone()
        }
        None => ["/sbin/init", "/etc/init", "/bin/init", "/bin/sh"]
            .iter()
            .find(|p| {
                vfs.resolve(&Caller::BOOT, &top, &top, p.as_bytes(), Follow::Yes)
                    .is_ok()
            })
            .map(|s| s.to_string())
            .unwrap_or_else(|| {
                fail(
                    "No working init found. Try passing init= option to kernel.",
                    2,
                )
            }),
    };
    let mut argv = vec![init.clone().into_bytes()];
    argv.extend(cfg.init_args.iter().map(|a| a.clone().into_bytes()));
    let mut envp = vec![b"HOME=/".to_vec(), b"TERM=linux".to_vec()];
    envp.extend(cfg.init_env.iter().map(|a| a.clone().into_bytes()));
    let gc = guest_console.as_raw_fd();
    let fence = landlock_fence(&cfg, &chroot_dir);
    let spec = BootSpec {
        chroot_dir,
        hostname: cfg
            .hostname
            .clone()
            .unwrap_or_else(|| "(none)".into())
            .into_bytes(),
        stdio: [gc, gc, gc],
        controlling_tty: console.is_tty(),
        init: init.into_bytes(),
        argv,
        envp,
        native: syscalls::native_rules(cfg.mem),
        fence,
    };
    let boot_ns = host::clock_ns(libc::CLOCK_BOOTTIME);
    let (platform, _) = PtracePlatform::boot(&spec)
        .unwrap_or_else(|e| fail(format!("cannot start the guest: {e}"), 1));
    drop(guest_console);
    let init_host = platform.host_tid(1).unwrap_or(0);
    let netns = std::sync::Arc::new(
        ruml_platform::net::VmNamespaces::of(init_host)
            .unwrap_or_else(|e| fail(format!("cannot reach the VM's network namespace: {e}"), 1)),
    );
    let nics = start_nics(&cfg, &netns);
    let mut k = Kernel::new(cfg.clone(), vfs, Box::new(platform), boot_ns);
    k.st.netns = Some(netns);
    *CURRENT.lock().expect("current VM") = Some(Current {
        init_host,
        terminate: k.terminate.clone(),
        winsize: console.winsize_link(),
    });
    let r = k.run();
    drop(nics);
    *CURRENT.lock().expect("current VM") = None;
    ruml_kernel::fs::private::cleanup();
    ruml_kernel::block::clear();
    console.shutdown();
    r
}

/// The Landlock fence for guest processes: the VM's root directory, ruml's
/// private directory for the VM (host nodes of tmpfs FIFOs and sockets,
/// the exec root of a disk root) and the hostfs= directory. (The VM's pty
/// instance and message queues are reached by path too, but only ruml opens
/// them: TIOCGPTPEER and mq_open trap.) Logs once
/// where the host has no Landlock; a fence that cannot be made fails the
/// boot.
fn landlock_fence(
    cfg: &config::BootConfig,
    root: &std::path::Path,
) -> Option<ruml_platform::landlock::Fence> {
    use std::os::unix::ffi::OsStrExt;
    let private = ruml_kernel::fs::private::get()
        .unwrap_or_else(|e| fail(format!("cannot make the VM's private directory: {e:?}"), 1));
    let private = std::path::Path::new(std::ffi::OsStr::from_bytes(private.path())).to_path_buf();
    let mut dirs = vec![root, private.as_path()];
    if let Some(p) = &cfg.hostfs_prefix {
        dirs.push(p.as_path());
    }
    match ruml_platform::landlock::fence(&dirs) {
        Ok(Some(f)) => Some(f),
        Ok(None) => {
            ruml_kernel::kernel::host_log(
                "ruml: Landlock is not available on this host: guest processes run without the filesystem fence\n",
            );
            None
        }
        Err(e) => fail(format!("cannot set up the Landlock fence: {e}"), 1),
    }
}

fn net_log(m: &str) {
    ruml_kernel::kernel::host_log(&format!("{m}\n"));
}

/// Creates the VM's network devices (taps in its network namespace) and
/// starts their transports, before init runs.
fn start_nics(
    cfg: &config::BootConfig,
    ns: &ruml_platform::net::VmNamespaces,
) -> Vec<ruml_net::nic::Nic> {
    let mut nics = Vec::new();
    for spec in &cfg.nics {
        let name = spec.name();
        let mac = spec.mac.unwrap_or_else(ruml_net::param::random_mac);
        let tap = ns.tap(&name, mac).unwrap_or_else(|e| {
            let hint = if e.raw_os_error() == Some(libc::EACCES) {
                " (ruml needs read and write access to /dev/net/tun, mode 0666 as Debian sets it)"
            } else {
                ""
            };
            fail(
                format!(
                    "{name}: cannot create the guest's interface: {}{hint}",
                    ruml_net::transport::strerror(&e)
                ),
                1,
            )
        });
        if spec.mac.is_none() && !cfg.quiet {
            net_log(&format!(
                "Choosing a random ethernet address for device {name}"
            ));
        }
        match ruml_net::nic::Nic::start(spec, mac, tap, net_log, !cfg.quiet) {
            Ok(n) => nics.push(n),
            Err(e) => fail(format!("{name}: {}", ruml_net::transport::strerror(&e)), 1),
        }
    }
    nics
}
