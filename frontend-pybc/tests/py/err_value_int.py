# ValueError from int() of a non-numeric string.
print(int('12') + 1)
print(int('x'))
