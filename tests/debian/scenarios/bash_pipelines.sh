# pipes, fds, redirections, subshells and many short-lived processes
seq 1 2000 | grep 7 | sort -r | head -3
for i in $(seq 1 200); do /bin/true; done; echo "200 processes"
n=0; for i in $(seq 1 50); do n=$((n + $(echo $i | wc -c))); done; echo "n=$n"
{ echo out; echo err >&2; } 2>&1 >/dev/null | cat
exec 3>&1; r=$( { echo to3 >&3; echo captured; } ); exec 3>&-; echo "$r"
yes | head -c 100000 | wc -c
cat /dev/zero | head -c 1000000 | md5sum
x=$(bash -c 'exit 3'); echo $?
seq 5 | xargs -n2 echo
seq 3 | (read a; read b; echo "$b$a")
