# inotifywait/inotifywatch (inotify-tools) on files written inside the guest
mkdir w
inotifywait -q -m -e create,modify,close_write,moved_from,moved_to,delete --format '%e %f' w > events &
p=$!; sleep 0.5
echo a > w/f1; echo b >> w/f1; mv w/f1 w/f2; mkdir w/d; rm w/f2; touch w/d/inner
sleep 0.5; kill $p; wait $p 2>/dev/null; cat events
( sleep 0.3; echo x > w/trigger ) & inotifywait -q -e close_write --format '%f' w; wait
timeout 0.3 inotifywait -q -t 1 -e delete w; echo "status $?"
