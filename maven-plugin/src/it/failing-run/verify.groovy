// The failed RUN shows as one Maven error naming the step, its Dockerfile line and exit code, with the step's
// last output lines, and no Java stack trace; no digest is published.
String log = new File(basedir, 'build.log').text
assert log.contains('Image build failed: RUN echo "compiling" && echo "error: widget.c: no such file" >&2 && exit 3'
        + ' failed with exit code 3 at Dockerfile:2') : log
assert log.contains('[ERROR]   exit code: 3') || log.contains('  exit code: 3') : log
assert log.contains('    > error: widget.c: no such file') : log
assert log.contains('BUILD FAILURE') : log
assert !(log =~ /\n\s+at [a-z]+\.[\w.$]+\(/) : "stack trace in the log: $log"
assert !new File(basedir, 'target/wharf/digest').exists()
return true
