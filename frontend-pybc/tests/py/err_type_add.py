# TypeError: unsupported operand types for +.
a = 1
b = 'x'
print(a, b)
print(a + b)
