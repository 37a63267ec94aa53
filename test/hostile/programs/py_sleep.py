# expect: fail timeout
import time
time.sleep(600)
