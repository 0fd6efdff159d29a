# IndexError storing past the end, then pop from an empty list would also fail.
xs = [0] * 3
xs[-3] = 'first'
print(xs)
xs[3] = 'too far'
