# coreutils text tools
printf 'banana\napple\ncherry\napple\n' > f
sort f; sort -u f | wc -l; sort f | uniq -c; sort -r f | head -1
cut -c1-3 f | tr a-z A-Z | paste -sd,
printf '1 a\n2 b\n' > j1; printf '1 x\n2 y\n' > j2; join j1 j2
comm -12 <(sort -u f) <(printf 'apple\nbanana\n')
fold -w 4 <<< abcdefghij; nl -ba f; tac f; rev f 2>/dev/null || true
od -An -tx1 -N8 f; base64 f | base64 -d | md5sum; sha256sum f; sha1sum f; b2sum f | cut -c1-16
seq -s: 1 10; seq 0.5 0.5 2; printf '%s-%s\n' a b c d
expand <<< $'a\tb' | od -c | head -2
split -l 2 f part_; ls part_*; cat part_aa
wc f; wc -lwc < f; head -c 5 f; echo; tail -n 2 f; tail -c 4 f
csplit -s f 3; ls xx*; shuf -n 4 --random-source=f f | sort
numfmt --to=iec 1048576; factor 360 1001; expr 6 \* 7; echo $(( $(nproc) > 0 ))
tr -s 'a' < f | head -2; tr -d '\n' < f; echo
printf '%s\n' c b a | sort | md5sum
