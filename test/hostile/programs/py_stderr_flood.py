# expect: fail wrong_answer|timeout|output_limit|runtime_error
import os
while True:
    os.write(2, b'e' * 65536)
