# An explicit raise of a builtin exception with a message.
def check(x):
    if x < 0:
        raise ValueError('negative value: ' + str(x))
    return x
print(check(3))
check(-2)
