# OverflowError: int too large to convert to float.
big = 10 ** 300
print(big * 1.0)
big = big * big
print(big > 0, big > 1e308)
print(big * 1.5)
