# list() of a range past ssize_t is an OverflowError too.
print(len(range(2 ** 63 - 1)))
print(list(range(-2 ** 64, 2 ** 64)))
