# IndexError reading past the end of a list.
xs = [1, 2, 3]
for i in range(4):
    print(i, xs[i])
