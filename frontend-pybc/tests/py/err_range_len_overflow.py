# len() of a range past ssize_t is an OverflowError.
r = range(2 ** 70)
print(r[5], r[-1])
print(len(r))
