# process substitution needs /dev/fd; also /dev/stdin, /dev/stdout and redirections to /dev/fd/N
diff <(seq 1 5) <(seq 1 5) && echo same
diff <(seq 1 3) <(seq 1 4); echo "diff status $?"
paste <(printf 'a\nb\n') <(printf '1\n2\n')
while read -r l; do echo "got $l"; done < <(printf 'x\ny\n')
echo tee-ing > >(cat > tee.out); sleep 0.2; cat tee.out
echo via-stdin | cat /dev/stdin
echo to-stdout > /dev/stdout
echo to-stderr > /dev/stderr 2>&1
exec 5> fd5.txt; echo five >&5; echo more > /dev/fd/5; exec 5>&-; cat fd5.txt
ls -l /dev/fd/ 2>&1 | wc -l >/dev/null && echo lsfd
readlink /dev/fd/0 /dev/stdin
exec 7< <(echo seven); cat <&7
wc -l < <(seq 100)
