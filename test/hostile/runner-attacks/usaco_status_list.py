# attack (issue 14 item 6): write [] to every descriptor (the status pipe among them), then exit
import os
for fd in range(3, 40):
    try:
        os.write(fd, b'[]')
    except OSError:
        pass
os._exit(0)
