# TypeError: list indices must be integers or slices.
xs = [1, 2, 3]
print(xs[1], xs[True])
print(xs['1'])
