"""Videos: what a container says about itself (probe), local capture times (timezones),
and the frames worth embedding (sampling). Runs in the decode workers only: FFmpeg
is native code reading the user's files."""
