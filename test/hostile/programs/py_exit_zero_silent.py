# expect: fail wrong_answer
import sys
sys.exit(0)
