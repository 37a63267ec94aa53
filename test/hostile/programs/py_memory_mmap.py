# expect: fail memory_limit|runtime_error
# Maps 8 GB anonymously and touches every page.
import mmap
m = mmap.mmap(-1, 8 << 30)
for i in range(0, 8 << 30, 4096):
    m[i] = 1
