# TypeError: 'int' object is not iterable.
for c in 'ab':
    print(c)
for i in 3:
    print(i)
