# UnboundLocalError: a local read before its assignment.
count = 0
def bump():
    count += 1
    return count
print('start')
bump()
