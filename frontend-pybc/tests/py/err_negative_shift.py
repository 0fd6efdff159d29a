# ValueError: negative shift count.
print(1 << 10, 1024 >> 3)
k = 5 - 6
print(1 << k)
