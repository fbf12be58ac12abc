# python3 datetime and time zones (zoneinfo from tzdata), time functions, locales (locales-all)
python3 - <<'PY'
import datetime as dt, zoneinfo, time, locale, os, calendar
utc = dt.datetime(2024, 3, 31, 0, 30, tzinfo=dt.timezone.utc)
for z in ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"):
    t = utc.astimezone(zoneinfo.ZoneInfo(z)); print(z, t.isoformat(), t.tzname())
b = zoneinfo.ZoneInfo("Europe/Berlin")
print(dt.datetime(2024, 3, 31, 1, 59, tzinfo=b).utcoffset(), dt.datetime(2024, 3, 31, 3, 1, tzinfo=b).utcoffset())
print(dt.date(2024, 2, 29) + dt.timedelta(days=365), dt.datetime.fromtimestamp(0, dt.timezone.utc))
print(dt.datetime.strptime("2020-05-17 13:45", "%Y-%m-%d %H:%M").strftime("%A %d %B %Y %I:%M %p"))
os.environ["TZ"] = "America/Los_Angeles"; time.tzset(); print(time.strftime("%Z %z", time.localtime(0)), time.tzname)
print(time.mktime((2001, 9, 9, 1, 46, 40, 0, 0, 0)), time.gmtime(1e9)[:6])
print(calendar.isleap(2100), calendar.monthrange(2024, 2))
t0 = time.monotonic(); time.sleep(0.05); print("monotonic", time.monotonic() - t0 >= 0.049)
print("clocks", all(time.clock_gettime(c) > 0 for c in (time.CLOCK_REALTIME, time.CLOCK_MONOTONIC, time.CLOCK_BOOTTIME)))
print("process time", time.process_time() >= 0, time.thread_time() >= 0, time.clock_getres(time.CLOCK_MONOTONIC) <= 1e-6)
print("ns", time.time_ns() > 1_600_000_000 * 10**9, abs(time.time() - dt.datetime.now().timestamp()) < 1)
for loc in ("C", "C.UTF-8", "de_DE.UTF-8", "fr_FR.UTF-8", "ja_JP.UTF-8"):
    locale.setlocale(locale.LC_ALL, loc)
    print(loc, locale.format_string("%.2f", 1234567.891, grouping=True), locale.localeconv()["decimal_point"],
          time.strftime("%A %B", time.gmtime(0)), locale.nl_langinfo(locale.CODESET))
locale.setlocale(locale.LC_ALL, "de_DE.UTF-8"); print(sorted(["Äpfel", "Zebra", "apfel", "Bär"], key=locale.strxfrm))
PY
LANG=de_DE.UTF-8 date -u -d @0 '+%A %B'; LC_ALL=fr_FR.UTF-8 printf "%'.2f\n" 1234567.5
TZ=Europe/London date -d '2024-07-01 12:00 UTC' +%Z; locale -a | grep -c UTF-8 | awk '{print ($1 > 100)}'
