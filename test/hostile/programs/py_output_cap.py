# expect: fail wrong_answer|timeout|output_limit
# Its output cap's worth (just under the judge's default 64 MB output limit,
# half on stdout, half on stderr), then a normal exit: the reply that carries
# it back from the sandbox is as large as a reply gets. On a loaded machine
# this used to end as infra_error ("agent did not answer exec within ...",
# a fixed wall + 15 s); the deadline now grows with the caps (container.ts).
import os
chunk = b'x' * (1 << 20)
for fd in (1, 2):
    for _ in range(31):
        os.write(fd, chunk)
