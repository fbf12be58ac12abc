# Exercises busybox applets and shell features. Runs as pid 1, natively (in
# fresh namespaces, chrooted into the same root) and inside ruml; prints
# only deterministic facts, so the two outputs must be identical.
set -u
n=0
section() { n=$((n + 1)); echo "== $n $1"; }

section setup
mount -t proc proc /proc && echo "proc mounted"
mount -t tmpfs tmpfs /tmp && echo "tmpfs mounted"
mkdir -p /work && cd /work && rm -rf ./* && echo "in $(pwd)"
hostname testvm && hostname
uname -s -m
id -u; id -g; id -un 2>/dev/null || echo "no user name"
echo "parent is init: $([ $PPID = 1 ] && echo yes)"

section "echo printf test expr"
echo plain; echo -n "no newline"; echo
printf '%s=%d %05.1f %x %o %c|%-4s|\n' answer 42 3.14159 255 8 z ab
test 3 -lt 5 && echo "3<5"; [ "a" = "b" ] || echo "a!=b"; [ -z "" ] && echo empty
expr 6 \* 7; expr length hello; expr substr abcdef 2 3; expr 10 / 3 % 2
echo $((7 * 6 + 1)) $((1 << 10)) $((17 % 5))

section "files: touch ln chmod stat readlink basename dirname"
touch a; echo data > b; ln -s b link; ln b hard
chmod 640 b; chmod u+x a
stat -c '%n %s %a %F %h' a b link hard
readlink link; readlink -f link | sed 's|.*/||'
basename /x/y/z.txt .txt; dirname /x/y/z.txt
ls -1 | sort | tr '\n' ' '; echo
mv a moved && ls moved; rm moved; [ -e moved ] || echo removed
mkdir -p d1/d2/d3 && rmdir d1/d2/d3 && ls -R d1 | wc -l
cp b c && cmp b c && echo "cmp same"
echo other > d; cmp b d > /dev/null || echo "cmp differ: $?"

section "text: grep sed awk sort uniq cut tr wc head tail"
printf 'banana\napple\ncherry\napple\ndate\nbanana\napple\n' > fruit
sort fruit | uniq -c | sed 's/^ *//'
sort -r fruit | head -2
sort -u fruit | tail -1
grep -c apple fruit; grep -n cherry fruit; grep -v a fruit || echo "none without a"
grep -E '^(b|d)' fruit | sort -u
sed -n '2,3p' fruit; sed 's/an/AN/g' fruit | head -1
awk '{ n[$1]++ } END { for (k in n) print k, n[k] }' fruit | sort
awk 'BEGIN { x = 0; for (i = 1; i <= 10; i++) x += i; printf "sum %d avg %.2f\n", x, x / 10 }'
echo "a:b:c:d" | cut -d: -f2,4; echo "hello world" | cut -c1-5
echo "Hello World" | tr 'a-z' 'A-Z'; echo "aabbcc" | tr -d b; echo "a  b   c" | tr -s ' '
wc -l < fruit; wc -c fruit | awk '{print $1}'; echo "one two three" | wc -w
seq 1 5 | tr '\n' ','; echo; seq 10 -3 1 | tr '\n' ' '; echo
yes hello | head -3
seq 100 | tail -3 | tr '\n' ' '; echo
printf 'x\ny\n' | rev 2>/dev/null || echo "no rev"
echo "3 1 2" | tr ' ' '\n' | sort -n | tr '\n' ' '; echo

section "diff cmp md5sum sha256sum"
printf 'one\ntwo\nthree\n' > f1; printf 'one\n2\nthree\n' > f2
diff f1 f2 | grep '^[-+][^-+]'; diff f1 f1 && echo "diff same"
md5sum f1 | cut -d' ' -f1; sha256sum f1 | cut -d' ' -f1; sha1sum f1 | cut -d' ' -f1
echo -n "" | md5sum | cut -d' ' -f1

section "tar gzip dd"
mkdir -p tree/sub && echo t1 > tree/t1 && echo t2 > tree/sub/t2
tar cf t.tar tree && tar tf t.tar | sort
gzip -c f1 > f1.gz && gunzip -c f1.gz | md5sum | cut -d' ' -f1
gzip -9 t.tar && ls t.tar.gz && zcat t.tar.gz | tar tf - | wc -l
mkdir out && tar xzf t.tar.gz -C out && cat out/tree/sub/t2
dd if=/dev/zero of=zeros bs=1024 count=64 2>/dev/null && stat -c %s zeros
dd if=f1 bs=1 skip=4 count=3 2>/dev/null; echo
head -c 1000 /dev/urandom | wc -c
bzip2 -c f1 2>/dev/null | bunzip2 -c 2>/dev/null | head -1

section "find xargs"
find tree -type f | sort
find . -name '*.gz' | sort
find tree -type d | wc -l
find tree -type f | xargs cat | sort
seq 1 6 | xargs -n 2 echo
echo "a b c" | xargs -n1 | wc -l

section "redirections pipelines subshells here-docs"
echo out > r1; echo more >> r1; cat r1
ls /nonexistent 2> err >/dev/null; [ -s err ] && echo "stderr captured"
{ echo grouped; echo lines; } > r2; wc -l < r2
(cd /tmp && pwd); pwd
x=outer; (x=inner; echo "sub $x"); echo "parent $x"
cat <<EOF2
here doc with $x
  indented line
EOF2
cat <<'EOF3'
quoted $x stays
EOF3
echo one two | { read a b; echo "read: $b $a"; }
v=$(echo cmd | tr c C); echo "subst $v"; echo "nested $(echo $(echo deep))"
exec 3> fd3file; echo via-fd3 >&3; exec 3>&-; cat fd3file
set -- p1 p2 p3; echo "args $# $2"; shift; echo "after shift $1"
for i in 1 2 3; do case $i in 1) echo one;; 2) echo two;; *) echo many;; esac; done
i=0; while [ $i -lt 3 ]; do i=$((i + 1)); done; echo "while $i"
f() { echo "func $1"; return 7; }; f arg; echo "ret $?"
false || echo "or-list"; true && echo "and-list"
echo "${undefined:-default} ${#x} ${x%er}"

section "background jobs wait trap kill"
sleep 0.2 & p=$!; wait $p; echo "waited $?"
(exit 5) & wait $!; echo "bg status $?"
sleep 10 & p=$!; kill $p; wait $p; echo "killed status $?"
trap 'echo caught USR1' USR1; kill -USR1 $$; trap - USR1
trap 'echo exit trap' EXIT; (trap 'echo sub exit trap' EXIT; true); trap - EXIT
for i in 1 2 3; do (sleep 0.$i; echo "job $i") & done; wait
timeout 1 sleep 5; echo "timeout status $?"
timeout 5 true; echo "quick status $?"

section "fifo"
mkfifo p && stat -c %F p
(echo through the fifo > p) & cat p; wait

section "tmpfs: scripts, fifos, sockets"
cd /tmp
printf '#!/bin/sh\necho "script on tmpfs: $1"\n' > t.sh && chmod +x t.sh && ./t.sh arg
mkfifo tf
(echo through a tmpfs fifo > tf) & cat /tmp/tf; wait
ln -s t.sh t-link && ./t-link viasymlink
cp /bin/busybox /tmp/sh && printf '#!./sh\necho "tmpfs interpreter: $0 $1"\n' > rel.sh && chmod +x rel.sh && ./rel.sh a
printf '#!/tmp/rel.sh nested\n' > outer.sh && chmod +x outer.sh && ./outer.sh b
printf '#!/tmp/sh\necho "hostfs script, tmpfs interpreter: $0 $1"\n' > /work/h.sh && chmod +x /work/h.sh && /work/h.sh c
(cd /work && ./h.sh d)
mkdir -p d/e && mv d d2 && ls -d d2/e
echo data > f && ln f f2 && stat -c %h f
rm -rf /tmp/* && ls /tmp | wc -l
cd /work

section "processes: ps top pidof free df mount"
sleep 30 & sp=$!
sleep 0.3
ps -o pid,comm | awk -v p=$sp '$1 == p { print "ps sees", $2 }'
pidof sleep > /dev/null && echo "pidof found sleep"
top -bn1 | grep -c '^Mem:'
top -bn1 | grep -q sleep && echo "top lists sleep"
kill $sp; wait $sp 2>/dev/null
free | awk '/^Mem:/ { print "free total>0:", ($2 > 0) }'
df /tmp | awk 'NR == 2 { print "df tmp:", $6 }'
mount | grep -c ' on /proc type proc'
grep -c MemTotal /proc/meminfo
[ -r /proc/self/status ] && echo "self status readable"
cat /proc/self/comm
grep '^Name' /proc/$$/status

section "env date sleep"
FOO=bar env | grep '^FOO='
env -i A=1 B=2 env | sort
date -u -d @0 '+%Y-%m-%d %H:%M:%S'
date -u -d @86400 '+%A'
[ "$(date +%Y)" -ge 2024 ] && echo "year sane"
t0=$(date +%s); sleep 1; t1=$(date +%s); [ $((t1 - t0)) -ge 1 ] && echo "slept a second"

section "misc applets"
echo hello | od -c | head -1
echo 68656c6c6f | xxd -r -p 2>/dev/null; echo
echo hello | base64; echo aGVsbG8K | base64 -d
printf 'b\na\nc\n' | sort | nl 2>/dev/null | sed 's/^ *//'
echo "fold this text" | fold -w 5
printf 'col1\tcol2\n' | expand | cat -A 2>/dev/null || printf 'col1\tcol2\n' | expand
echo "$(basename $(which sh))"
seq 3 | paste -s -d+ | bc 2>/dev/null || seq 3 | paste -s -d+
printf '1\n2\n' | tac
echo abc | md5sum | cut -c1-8
truncate -s 100 tsize && stat -c %s tsize
realpath link | sed 's|.*/||'
echo done
