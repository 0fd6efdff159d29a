# TypeError: str + int.
s = 'n=' + str(1)
print(s)
print('n=' + 2)
