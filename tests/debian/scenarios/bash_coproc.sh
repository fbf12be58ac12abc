# coprocesses: two-way pipes to a background process
coproc UP { tr a-z A-Z; }
echo hello >&"${UP[1]}"
exec {UP[1]}>&-
read -r line <&"${UP[0]}"; echo "coproc said $line"
wait $UP_PID; echo "coproc exit $?"
coproc SEDP { sed -u 's/^/> /'; }
for w in alpha beta; do echo $w >&"${SEDP[1]}"; read -r r <&"${SEDP[0]}"; echo "$r"; done
kill $SEDP_PID; wait $SEDP_PID; echo "killed status $?"
coproc { echo from-anon; sleep 0.2; }
read -r x <&"${COPROC[0]}"; echo "$x"; wait
