import subprocess
import sys

from core.pipeline.job_counter import JobCounter


def test_what_a_worker_process_begins_the_pool_sees():
    counter = JobCounter.create()
    try:
        assert counter.begun == 0
        script = ("import sys; from core.pipeline.job_counter import JobCounter; "
                  "c = JobCounter.attach(int(sys.argv[1])); [c.begin() for _ in range(3)]")
        subprocess.run([sys.executable, "-c", script, str(counter.fd)], pass_fds=(counter.fd,), check=True)
        assert counter.begun == 3
    finally:
        counter.close()
