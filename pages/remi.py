import streamlit as st

st.title("remi")
st.write("This page is being built.")
