# grep (basic, extended, perl, recursive) and sed (scripts, in-place)
printf 'foo 1\nbar 22\nFoo 333\nbaz\n' > f
grep foo f; grep -i foo f; grep -c . f; grep -v ba f; grep -n -E '[0-9]{2,}' f; grep -o '[0-9]\+' f
grep -P '\d{3}' f; grep -w bar f; grep -q zzz f; echo "status $?"; grep -l foo f /dev/null; grep -L foo f /dev/null
mkdir d; echo needle > d/x; echo hay > d/y; grep -r needle d; grep -rl hay .; grep -F 'a 2' f
grep -A1 bar f; grep -B1 -m1 baz f; grep --count -e foo -e bar f
sed 's/o/0/g' f; sed -n '2,3p' f; sed '/baz/d' f; sed -E 's/([a-z]+) ([0-9]+)/\2 \1/' f
sed -i.bak 's/bar/BAR/' f; cat f; cat f.bak | head -2
printf 'a\nb\nc\n' | sed -n '$='; printf 'x\n' | sed 'a\
appended'; sed '1i header' f | head -2; printf 'l1\nl2\n' | sed 'N;s/\n/+/'
echo "hello world" | sed 'y/lo/LO/'; seq 10 | sed -n '0~3p'
