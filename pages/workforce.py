import streamlit as st

st.title("workforce")
st.write("This page is being built.")
