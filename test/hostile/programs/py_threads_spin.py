# expect: fail timeout|runtime_error
# Eight threads spin; the main thread waits forever.
import threading
def spin():
    while True:
        pass
for _ in range(8):
    threading.Thread(target=spin).start()
