# AttributeError for a misspelt method: CPython 3.11 suggests the close name.
xs = [3, 1, 2]
xs.sort()
print(xs)
xs.apend(4)
