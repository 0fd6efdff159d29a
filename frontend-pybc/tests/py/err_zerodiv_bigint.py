# ZeroDivisionError from big-int floor division, and divmod of ints by zero.
big = 2 ** 100
print(big // 3, big % 7)
print(divmod(big, 5))
print(divmod(7, 0))
