# ZeroDivisionError from int floor division inside a loop.
total = 0
for d in [5, 3, 1, 0, 2]:
    total += 100 // d
    print(d, total)
print('not reached')
