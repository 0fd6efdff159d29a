# TypeError: indexing an int.
n = 10
print(n)
print(n[0])
