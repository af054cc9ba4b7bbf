/* MQTTVersion: prints the version information of the Paho MQTT C libraries this system
 * loads (paho-mqtt3c, -3cs, -3a and -3as), or of the one library named on the command line
 * (a name like paho-mqtt3a, or a file name). */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Both APIs' getVersionInfo return an array of these, ended by a NULL name. */
struct name_value
{
	const char* name;
	const char* value;
};

typedef struct name_value* (*version_fn)(void);

static int show(const char* lib)
{
	char file[512];
	void* handle;
	version_fn fn;
	struct name_value* info;

	printf("--- Trying library %s ---\n", lib);
	if (strchr(lib, '/') || strstr(lib, ".so"))
		snprintf(file, sizeof(file), "%s", lib);
	else
		snprintf(file, sizeof(file), "lib%s.so.1", lib);
	handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL)
	{
		printf("Error loading library %s, error %s\n", lib, dlerror());
		return 1;
	}
	/* a function pointer from dlsym's void*: copied, as ISO C does not allow the cast */
	{
		void* sym = dlsym(handle, "MQTTAsync_getVersionInfo");

		if (sym == NULL)
			sym = dlsym(handle, "MQTTClient_getVersionInfo");
		if (sym == NULL)
		{
			printf("Error: %s has no getVersionInfo function\n", lib);
			dlclose(handle);
			return 1;
		}
		memcpy(&fn, &sym, sizeof(fn));
	}
	for (info = fn(); info && info->name; ++info)
		printf("%s: %s\n", info->name, info->value);
	dlclose(handle);
	return 0;
}

int main(int argc, char* argv[])
{
	static const char* libraries[] = { "paho-mqtt3c", "paho-mqtt3cs", "paho-mqtt3a", "paho-mqtt3as" };
	size_t i;
	int failures = 0;

	printf("MQTTVersion: print the version strings of an MQTT client library\n");
	if (argc > 1)
		return show(argv[1]) ? EXIT_FAILURE : EXIT_SUCCESS;
	printf("Specify a particular library name if it is not in the library path\n");
	for (i = 0; i < sizeof(libraries) / sizeof(libraries[0]); ++i)
		failures += show(libraries[i]);
	return failures == (int)(sizeof(libraries) / sizeof(libraries[0])) ? EXIT_FAILURE : EXIT_SUCCESS;
}
