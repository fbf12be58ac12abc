# python3 files: tempfile, shutil, pathlib, os.scandir/stat/walk, fcntl locks, sendfile, copy_file_range
python3 - <<'PY'
import tempfile, shutil, os, pathlib, fcntl, stat, subprocess
with tempfile.TemporaryDirectory(dir=".") as d:
    p = pathlib.Path(d)
    (p / "a").mkdir(); (p / "a" / "f.txt").write_text("hello\n" * 1000); (p / "a" / "g").symlink_to("f.txt")
    shutil.copytree(p / "a", p / "b", symlinks=True); print(sorted(x.name for x in (p / "b").iterdir()))
    print(shutil.disk_usage(d).total > 0, os.path.islink(p / "b" / "g"))
    arch = shutil.make_archive(str(p / "arch"), "gztar", p / "a"); shutil.unpack_archive(arch, p / "c")
    print(sorted(os.listdir(p / "c")), (p / "c" / "f.txt").read_text() == (p / "a" / "f.txt").read_text())
    shutil.move(str(p / "b"), str(p / "moved")); print(sorted(e.name for e in os.scandir(p)))
    print([ (r[len(d):], sorted(f)) for r, _, f in sorted(os.walk(p / "moved")) ])
    st = os.stat(p / "a" / "f.txt"); print(st.st_size, stat.S_ISREG(st.st_mode), oct(st.st_mode & 0o777 & ~0o022))
    os.chmod(p / "a" / "f.txt", 0o600); print(oct(os.stat(p / "a" / "f.txt").st_mode & 0o777))
    os.utime(p / "a" / "f.txt", (1000000000, 1000000000)); print(os.stat(p / "a" / "f.txt").st_mtime)
    with open(p / "a" / "f.txt", "rb") as src, open(p / "copy", "wb") as dst:
        n = os.sendfile(dst.fileno(), src.fileno(), 0, 3000); print("sendfile", n)
    with open(p / "a" / "f.txt", "rb") as src, open(p / "copy2", "wb") as dst:
        print("copy_file_range", os.copy_file_range(src.fileno(), dst.fileno(), 6000))
    shutil.copyfile(p / "a" / "f.txt", p / "copy3"); print("copyfile", os.path.getsize(p / "copy3"))
    r, w = os.pipe(); f = open(p / "copy3", "rb")
    print("splice", os.splice(f.fileno(), w, 100), len(os.read(r, 200)))
    fd = os.open(p / "lock", os.O_CREAT | os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX)
    rc = subprocess.run(["flock", "-n", str(p / "lock"), "true"]).returncode; print("flock held", rc)
    fcntl.flock(fd, fcntl.LOCK_UN); print("flock released", subprocess.run(["flock", "-n", str(p / "lock"), "true"]).returncode)
    fcntl.lockf(fd, fcntl.LOCK_EX, 10, 0)
    code = "import fcntl,os,sys; fd=os.open(sys.argv[1], os.O_RDWR)\ntry: fcntl.lockf(fd, fcntl.LOCK_EX|fcntl.LOCK_NB, 10, 0); print('got')\nexcept OSError as e: print('busy', e.errno)"
    print(subprocess.run(["python3", "-c", code, str(p / "lock")], capture_output=True, text=True).stdout.strip())
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL); os.posix_fallocate(fd, 0, 4096); print("fallocate", os.fstat(fd).st_size)
    sv = os.statvfs(d); print("statvfs", sv.f_bsize > 0, sv.f_namemax)
    os.truncate(p / "copy", 10); print(os.path.getsize(p / "copy"))
    os.link(p / "copy", p / "hard"); print(os.stat(p / "copy").st_nlink)
    os.rename(p / "hard", p / "hard2"); os.replace(p / "hard2", p / "copy2"); print(os.path.getsize(p / "copy2"))
    with tempfile.NamedTemporaryFile(dir=d) as t: t.write(b"abc"); t.flush(); print(os.path.getsize(t.name))
    with tempfile.TemporaryFile() as t: t.write(b"anon"); t.seek(0); print(t.read())
    fd2 = os.open(d, os.O_RDONLY | os.O_DIRECTORY); print(sorted(os.listdir(fd2))[:3]); os.close(fd2)
print(os.path.exists(d))
PY
