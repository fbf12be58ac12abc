# coreutils on files: create, copy, move, link, stat, modes, times, sizes
mkdir -p a/b/c; touch a/b/c/f1; echo data > a/f2; ln -s f2 a/l2; ln a/f2 a/h2
cp -a a a2; mv a2 a3; ls -R a3
stat -c '%n %s %F %a %h' a/f2 a/l2 a/h2 a/b
chmod 640 a/f2; stat -c '%a' a/f2 a/h2; chmod u+x,g-r a/f2; stat -c '%A' a/f2
touch -d '2001-02-03 04:05:06 UTC' a/f2; TZ=UTC stat -c '%y' a/f2 | cut -c1-19
TZ=UTC date -r a/f2 +%F; [ a/f2 -ot a/b/c/f1 ] && echo older
readlink a/l2; readlink -f a/l2 | sed "s|$PWD|WD|"; realpath -s a/b/../f2 | sed "s|$PWD|WD|"
dd if=/dev/zero of=big bs=64k count=16 status=none; stat -c %s big; truncate -s 100 big; stat -c %s big
truncate -s 1G sparse; stat -c %s sparse; du -k sparse | cut -f1
install -m 750 -D a/f2 inst/dir/f; stat -c '%a' inst/dir/f
ls -la a | awk '{print $1, $2, $NF}' | tail -n +2
cmp a/f2 a3/f2 && echo same; rm -r a3; [ -e a3 ] || echo removed
mktemp -d -p . tmpXXXX | grep -c tmp; ln -sf /nonexistent dangling; [ -L dangling ] && [ ! -e dangling ] && echo dangling
basename /x/y/z.txt .txt; dirname /x/y/z.txt; pathchk -p abc && echo pathok
shred -u -n1 big && [ ! -e big ] && echo shredded; sync && echo synced
df -P . | tail -1 | awk '{print NF}'
