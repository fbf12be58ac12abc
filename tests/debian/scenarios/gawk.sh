# gawk: fields, arrays, printf, functions, strftime, getline, system
printf 'alice 30 x\nbob 25 y\ncarol 35 x\n' > p
awk '{s+=$2} END {print s, NR, s/NR}' p
awk '$3=="x" {print toupper($1)}' p; awk -F' ' '{print NF}' p | uniq
awk '{a[$3]+=$2} END {n=asorti(a,k); for(i=1;i<=n;i++) print k[i], a[k[i]]}' p
awk 'function sq(x){return x*x} BEGIN{printf "%d %.3f %s %c\n", sq(12), atan2(0,-1), substr("hello",2,3), 65}'
awk 'BEGIN{print strftime("%Y-%m-%d %H:%M", 86400*365, 1)}'
awk 'BEGIN{s="a,b,,c"; n=split(s,x,","); print n, x[4]; gsub(/,/,";",s); print s; print index(s,"c"), length(s)}'
awk 'BEGIN{while ((getline l < "p") > 0) c++; print c; "echo cmd" | getline v; print v; system("echo from system")}'
awk 'BEGIN{print match("foobar", /o+b/), RSTART, RLENGTH; print sprintf("%5.1e", 12345)}'
seq 100 | awk 'NR%25==0'; awk 'BEGIN{srand(1); x=rand(); print (x>=0 && x<1)}'
awk -v OFS=: '{$1=$1; print}' p; echo 'a:b:c' | awk -F: '{print $NF}'
awk 'BEGIN{print 2^53+1, int(-3.7), 10%3, "10"+0 < "9"+0}'
gawk --version | head -1 | cut -d, -f1
