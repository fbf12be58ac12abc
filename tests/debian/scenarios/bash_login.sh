# bash as a login shell reads /etc/profile and ~/.profile; interactive shells read ~/.bashrc
bash -l -c 'echo login shell; shopt -q login_shell && echo is-login; echo "PS1 set: ${PS1+yes}"; echo $PATH | tr : "\n" | head -2'
HOME=$PWD; export HOME; echo 'echo from-bashrc' > .bashrc; echo 'echo from-profile' > .profile
bash -l -c 'echo in login' ; bash -i -c 'echo in interactive' 2>&1 | grep -v '^bash:'
echo 'echo via-stdin; exit 3' | bash -l; echo "status $?"
bash --norc --noprofile -i -c 'echo $-' 2>/dev/null | tr -d 'Hhb' | grep -c i
bash -c 'echo $0 $1 $2' name a b; bash -c 'echo $SHLVL' ; bash -r -c 'cd /tmp' 2>&1 | sed 's/^.*: //'
