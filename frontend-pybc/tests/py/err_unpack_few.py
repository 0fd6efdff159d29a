# ValueError: not enough values to unpack.
a, b, c = 1, 2, 3
print(a, b, c)
pts = [(1, 2, 3), (4, 5)]
for x, y, z in pts:
    print(x + y + z)
