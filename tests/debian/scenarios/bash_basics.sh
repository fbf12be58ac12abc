# bash: here-strings, here-docs, arrays, arithmetic, functions, traps, subshells
read -r a b <<< "one two"; echo "$b $a"
cat <<EOT
heredoc $((6*7))
EOT
arr=(z y x); arr+=(w); echo "${#arr[@]} ${arr[*]} ${arr[@]:1:2}"
declare -A m=([k1]=v1 [k2]=v2); for k in $(printf '%s\n' "${!m[@]}" | sort); do echo "$k=${m[$k]}"; done
f() { local x=$1; echo "f:$x:$#"; return 3; }; f a b; echo "ret $?"
x=$( (exit 4) ); echo "subshell $?"
s="Hello World"; echo "${s,,} ${s^^} ${s/World/There} ${#s} ${s:6}"
printf '%05d|%-4s|%x\n' 42 ab 255
i=0; while (( i < 5 )); do ((i++)); done; echo "i=$i"
case foo.tar.gz in *.tar.gz) echo tgz;; *) echo other;; esac
[[ abc =~ ^a(b)c$ ]] && echo "match ${BASH_REMATCH[1]}"
trap 'echo exit-trap' EXIT
set -o pipefail; false | true; echo "pipefail $?"; set +o pipefail
true | false | true; echo "pipestatus ${PIPESTATUS[*]}"
echo $(( 2**40 )) $(( -7 / 2 )) $(( 7 % -3 ))
shopt -s extglob; for f in a.c b.h c.o; do [[ $f == @(*.c|*.h) ]] && echo src $f; done
echo {1..5} {a..c}
