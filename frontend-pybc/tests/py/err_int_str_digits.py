# ValueError: converting a huge int to str exceeds CPython's 4300-digit limit.
n = 7 ** 5000
print(len(str(7 ** 1000)), n % 1000)
print(str(n))
