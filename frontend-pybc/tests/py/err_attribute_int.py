# AttributeError on an int.
n = 5
print(n)
print(n.upper())
