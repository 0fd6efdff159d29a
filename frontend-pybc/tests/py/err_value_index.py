# ValueError from list.index of a missing item.
xs = [3, 4]
print(xs.index(4))
print(xs.index(5))
