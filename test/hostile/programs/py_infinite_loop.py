# expect: fail timeout
while True:
    pass
