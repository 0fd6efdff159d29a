# OverflowError: true division of huge ints whose quotient does not fit a float.
a = 10 ** 400
print(a / 10 ** 399, 1 / a, a // 10 ** 399)
print(a / 3)
