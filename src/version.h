/*
 * version.h — infersim's version, in one place: the command prints it, the public header
 * carries it, and the Makefile reads it for the library's file names, its pkg-config file
 * and the man page.
 */
#ifndef INFERSIM_VERSION_H
#define INFERSIM_VERSION_H

#define INFERSIM_VERSION "0.1.0"

#endif
