# Input lines "system workload value", several rounds of each; prints
# "system workload median" once per pair, in the order the pairs first came.
# Used by bench/run, bench/ubd.sh and bench/net.sh: awk -f bench/median.awk FILE
{ k = $1 " " $2; if (!(k in n)) order[++m] = k; v[k, ++n[k]] = $3 }
END {
    for (i = 1; i <= m; i++) {
        k = order[i]; c = n[k]
        for (a = 1; a <= c; a++) x[a] = v[k, a]
        for (a = 2; a <= c; a++) for (b = a; b > 1 && x[b - 1] > x[b]; b--) { t = x[b]; x[b] = x[b - 1]; x[b - 1] = t }
        print k, x[int((c + 1) / 2)]
    }
}
