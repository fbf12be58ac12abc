# find and xargs
mkdir -p t/a/b t/c; for f in t/x.txt t/a/y.txt t/a/b/z.log t/c/w.txt; do echo $f > $f; done
touch -d '2000-01-01' t/c/w.txt; truncate -s 2000 t/a/b/z.log
find t | sort; find t -name '*.txt' | sort; find t -type d | sort
find t -size +1k; find t -newer t/c/w.txt -type f | sort; find t -maxdepth 1 -type f
find t -name '*.txt' -print0 | sort -z | xargs -0 cat
find t -type f -exec wc -c {} + | sort; find t -empty; find t -path '*a/b*' -prune -o -type f -print | sort
find t -name '*.log' -delete; find t | wc -l; find t -perm -u+r -type f | wc -l
seq 1 20 | xargs -P4 -n1 sh -c 'echo $(( $0 * $0 ))' | sort -n | tail -3
printf 'a b\nc d\n' | xargs -L1 echo line:; echo x | xargs -I{} echo "{} {}"
find t -printf '%y %d %P\n' | sort
